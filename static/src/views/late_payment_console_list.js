import { onWillStart } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/** The follow-up console: a banner until the follow-up of the company has started. */
export class LatePaymentConsoleController extends ListController {
    static template = "account_late_payment.ConsoleListView";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.goLive = { pending: false };
        onWillStart(async () => {
            this.goLive = await this.orm.call("res.company", "late_payment_go_live_banner", []);
        });
    }

    async onClickGoLive() {
        await this.actionService.doAction("account_late_payment.action_late_payment_go_live_wizard", {
            onClose: () => this.actionService.doAction({ type: "ir.actions.client", tag: "soft_reload" }),
        });
    }
}

registry.category("views").add("late_payment_console_list", {
    ...listView,
    Controller: LatePaymentConsoleController,
});
