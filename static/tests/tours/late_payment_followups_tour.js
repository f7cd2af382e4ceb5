import { registry } from "@web/core/registry";

// An accountant opens Invoicing > Customers > Follow-up > Console from the menus and sees the list.
registry.category("web_tour.tours").add("late_payment_followups_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Invoicing",
            trigger: '.o_app[data-menu-xmlid="account.menu_finance"]',
            run: "click",
        },
        {
            content: "Open the Customers menu of Invoicing",
            trigger: '.o_main_navbar [data-menu-xmlid="account.menu_finance_receivables"]',
            run: "click",
        },
        {
            content: "Open the console of the Follow-up section",
            trigger: '.dropdown-item[data-menu-xmlid="account_late_payment.menu_late_payment_console"]',
            run: "click",
        },
        {
            content: "Show every customer followed up, not only those to do",
            trigger: ".o_searchview_facet:contains(To do) .o_facet_remove",
            run: "click",
        },
        {
            content: "The customers to follow up are listed",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
