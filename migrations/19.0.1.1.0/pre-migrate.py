"""Before the models of 19.0.1.1.0 load: the customer is followed, not each invoice.

A reminder now lists every open line of its customer, so the same receivable line may appear
in several reminders at the same level (a firm reminder, then the formal notice that lists it
again): the unique index on (receivable line, level) gives way to one on (receivable line,
day), and a line may be listed without reaching a level. Odoo does not drop an index a model
no longer declares: it is dropped here. Lines the old code put twice in reminders of the same
day (two levels at once) keep the highest level only, so that the new index can be created."""

import logging

_logger = logging.getLogger(__name__)

OLD_INDEX = "late_payment_reminder_line_move_line_level_uniq"


def migrate(cr, version):
    if not version:
        return  # a fresh install: nothing to migrate
    cr.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", [OLD_INDEX])
    cr.execute("""
        DELETE FROM late_payment_reminder_line line
         USING late_payment_reminder_line other, late_payment_level level, late_payment_level other_level
         WHERE line.move_line_id = other.move_line_id AND line.date = other.date AND line.id != other.id
           AND level.id = line.level_id AND other_level.id = other.level_id
           AND (level.sequence, level.days, level.id) < (other_level.sequence, other_level.days, other_level.id)
    """)
    _logger.info("account_late_payment %s -> 19.0.1.1.0: index on (line, level) dropped, %s duplicate reminder "
                 "lines of a same day merged", version, cr.rowcount)
