// The help desk's views: tickets and contacts (the knowledge base will join them).
import { contactsView } from "./contacts.js";
import { ticketsView } from "./tickets.js";

export const helpdeskViews = [ticketsView, contactsView];
