import { registry } from "@web/core/registry";

// An accountant works a customer from the follow-up console: opens it, reads the reminder about
// to go out, sends it, sees it in the customer's reminders, and its letter waiting in the console.
registry.category("web_tour.tours").add("late_payment_console_tour", {
    url: "/odoo/late-payment-console",
    steps: () => [
        {
            content: "The customer whose action is due is listed",
            trigger: ".o_list_view .o_data_row td[name=partner_id]:contains(Console Customer)",
            run: "click",
        },
        {
            content: "Open the preview of the next reminder",
            trigger: ".o_notebook_headers a[name=preview]",
            run: "click",
        },
        {
            content: "The email about to go out names the invoice",
            trigger: ".o_late_payment_preview_email:contains(INV/)",
        },
        {
            content: "The letter's text too (its tables of amounts are printed by the report)",
            trigger: ".o_late_payment_preview_letter:contains(Dear Sir or Madam)",
        },
        {
            content: "Send it",
            trigger: ".o_form_view button[name=action_send_reminder]",
            run: "click",
        },
        {
            content: "The reminder is in the customer's reminders",
            trigger: ".o_notebook_headers a[name=reminders]",
            run: "click",
        },
        {
            content: "Sent from the console",
            trigger: ".o_field_one2many[name=reminder_ids] .o_data_row",
        },
        {
            content: "Back to the console",
            trigger: ".o_breadcrumb a:contains(Follow-up console)",
            run: "click",
        },
        {
            content: "The console tells that its letter waits to be printed, and since when",
            trigger: ".o_late_payment_letter_queue:contains(1 letters wait to be printed) button.o_late_payment_print_day_letters",
        },
    ],
});
