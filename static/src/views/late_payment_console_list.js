import { onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * The follow-up console's list. Above the customers:
 * - until the follow-up of the company has started, a banner that says nothing is sent yet,
 *   with the button that opens the go-live preview (administrators);
 * - how many letters wait in the day's batch and since when, with the button that prints
 *   them (each letter checked again as it prints).
 */
export class LatePaymentConsoleListController extends ListController {
    static template = "account_late_payment.ConsoleListView";

    setup() {
        super.setup();
        this.goLive = useState({ pending: false, company: "", can_start: false });
        this.letterQueue = useState({ count: 0, text: "" });
        onWillStart(() => Promise.all([this.loadGoLive(), this.loadLetterQueue()]));
    }

    async loadGoLive() {
        const goLive = await this.orm.call("res.company", "late_payment_go_live_banner", []);
        Object.assign(this.goLive, goLive);
    }

    async loadLetterQueue() {
        const queue = await this.orm.call("late.payment.reminder", "late_payment_letter_queue_summary", []);
        Object.assign(this.letterQueue, queue);
    }

    async onClickGoLive() {
        await this.actionService.doAction("account_late_payment.action_late_payment_go_live_wizard", {
            onClose: () => this.actionService.doAction({ type: "ir.actions.client", tag: "soft_reload" }),
        });
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
