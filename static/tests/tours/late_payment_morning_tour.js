import { registry } from "@web/core/registry";

// The accountant's morning on the demo database: the console, the first
// customer to do, the preview of its reminder, a call where it promises to pay, the promise
// recorded; then another customer's reminder sent, and the day's letters printed.
registry.category("web_tour.tours").add("late_payment_morning_tour", {
    url: "/odoo/late-payment-console",
    steps: () => [
        {
            content: "The console lists the customers to do",
            trigger: ".o_searchview_facet:contains(To do)",
        },
        {
            content: "Open the first customer to do",
            trigger: ".o_list_view .o_data_row:first td[name=partner_id]",
            run: "click",
        },
        {
            content: "The header says what is overdue and the next step",
            trigger: ".o_form_view .o_late_payment_console_summary div[name=amount_overdue]",
        },
        {
            content: "Read the preview of the next reminder",
            trigger: ".o_notebook_headers a[name=preview]",
            run: "click",
        },
        {
            content: "The reminder about to go out",
            trigger: ".o_late_payment_preview_email:not(:empty), .o_late_payment_preview_letter:not(:empty)",
        },
        {
            content: "Log a call",
            trigger: ".o_form_view .o_form_statusbar button[name=action_log_call]",
            run: "click",
        },
        {
            content: "The customer promised to pay",
            trigger: ".modal div[name=outcome] input[data-value=promised]",
            run: "click",
        },
        {
            content: "What was said: the amount and the day",
            trigger: ".modal div[name=note] textarea",
            run: "edit Will pay 100 € on 28/02",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The promise dialog, filled from the call",
            trigger: ".modal div[name=amount] input:value(100.00)",
        },
        {
            content: "Record the promise",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The call and the promise are in the customer's history",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Promise to pay)",
        },
        {
            content: "Back to the console",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb a:contains(Follow-up console)",
            run: "click",
        },
        {
            content: "Open the next customer to do",
            trigger: ".o_list_view .o_data_row:first td[name=partner_id]",
            run: "click",
        },
        {
            content: "Its reminder is the next step: send it",
            trigger: ".o_form_view .o_form_statusbar button.btn-primary[name=action_send_reminder]",
            run: "click",
        },
        {
            content: "The reminder sent is in the customer's history",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(sent by)",
        },
        {
            content: "Back to the console",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb a:contains(Follow-up console)",
            run: "click",
        },
        {
            content: "Print the day's letters",
            trigger: ".o_late_payment_letter_queue button.o_late_payment_print_day_letters",
            run: "click",
        },
        {
            content: "Printed: no letter waits any more",
            trigger: ".o_action:not(:has(.o_late_payment_letter_queue)) .o_list_renderer",
        },
    ],
});
