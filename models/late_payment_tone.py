from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import is_html_empty


class LatePaymentTone(models.Model):
    """A register of the reminders (courteous, friendly, firm, formal notice, ...), ordered by
    severity, carrying its text in every language (the same in the email and in the printed
    letter) and the email template that gives the email its subject, sender and attachments."""

    _name = "late.payment.tone"
    _description = "Follow-up tone"
    _inherit = ["mail.render.mixin"]
    _order = "severity, id"
    _check_company_auto = True

    # the letter text is trusted like an email template's body (edited by administrators)
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    severity = fields.Integer(
        required=True, default=10,
        help="Order of firmness: the higher, the firmer. A customer's relationship shifts a level's "
             "tone to the next softer or firmer tone in this order.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True,
        help="Leave empty to share the tone between all companies.")
    mail_template_id = fields.Many2one(
        "mail.template", string="Email template",
        domain=[("model", "=", "late.payment.dossier")],
        help="The subject, sender and attachments of this tone's email, rendered on the customer's "
             "follow-up dossier. The email's text is the tone's text, followed by the detail of the "
             "amounts due.")
    letter_body = fields.Html(
        string="Text", render_engine="qweb", render_options={"post_process": True},
        prefetch=True, translate=True, sanitize="email_outgoing",
        help="The text of the reminder, the same in the email and in the printed letter, rendered on "
             "the customer's follow-up dossier (placeholders such as object.partner_id.name may be "
             "used) in the customer's language. A paragraph shown if medium == 'letter' (marked with a "
             "bar in this form) is printed on the letter only: its subject line, the registered-letter "
             "mention.")
    description = fields.Text(translate=True, help="When to use this tone.")

    @api.depends()
    def _compute_render_model(self):
        self.render_model = "late.payment.dossier"

    @api.constrains("letter_body", "mail_template_id", "active")
    def _check_texts_in_every_language(self):
        languages = self.env["res.lang"].sudo().search([("active", "=", True)])
        # the message in the user's language, whichever translation is being edited
        env = self.with_context(lang=self.env.user.lang).env
        for tone in self.filtered("active"):
            for lang in languages:
                localized = tone.with_context(lang=lang.code)
                if is_html_empty(localized.letter_body):
                    raise ValidationError(env._(
                        "The text of the tone \u201c%(tone)s\u201d is empty in %(language)s: write it in "
                        "every installed language.", tone=tone.with_env(env).name, language=lang.name))
                template = localized.mail_template_id.sudo()
                if template and (is_html_empty(template.body_html) or not (template.subject or "").strip()):
                    raise ValidationError(env._(
                        "The email of the tone \u201c%(tone)s\u201d has an empty subject or body in "
                        "%(language)s: write it in every installed language.",
                        tone=tone.with_env(env).name, language=lang.name))

    def _render_text(self, dossiers, medium, lang=None):
        """The text of this tone for each dossier, {id: html}: in its customer's language, or in
        `lang` when given. `medium` ("email" or "letter") is known to the text, which prints a
        few lines on the letter only."""
        self.ensure_one()
        if lang:
            return self._render_field("letter_body", dossiers.ids, set_lang=lang, add_context={"medium": medium})
        return self._render_field("letter_body", dossiers.ids, compute_lang=True, add_context={"medium": medium})

    def _render_email(self, dossiers):
        """The email's body of this tone for each dossier, in its customer's language: {id: html}
        (the tone's text, then the amounts due), as its email template renders it."""
        self.ensure_one()
        template = self.mail_template_id.sudo().with_context(late_payment_tone_id=self.id)
        return template._render_field("body_html", dossiers.ids, compute_lang=True)

    def _render_letter(self, dossiers):
        """The letter's text of this tone for each dossier, in its customer's language: {id: html}."""
        return self._render_text(dossiers, "letter")
