import { onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * The follow-up console's list: above the customers, how many letters wait in the day's batch
 * and since when, with the button that prints them (each letter checked again as it prints).
 */
export class LatePaymentConsoleListController extends ListController {
    static template = "account_late_payment.ConsoleListView";

    setup() {
        super.setup();
        this.letterQueue = useState({ count: 0, text: "" });
        onWillStart(() => this.loadLetterQueue());
    }

    async loadLetterQueue() {
        const queue = await this.orm.call("late.payment.reminder", "late_payment_letter_queue_summary", []);
        Object.assign(this.letterQueue, queue);
    }

    async onPrintDayLetters() {
        const action = await this.orm.call("late.payment.reminder", "action_print_day_letters", []);
        await this.actionService.doAction(action);
        await this.loadLetterQueue();
    }
}

registry.category("views").add("late_payment_console_list", {
    ...listView,
    Controller: LatePaymentConsoleListController,
});
