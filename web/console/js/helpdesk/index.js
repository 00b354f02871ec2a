// The help desk's views: tickets, contacts and the knowledge base.
import { contactsView } from "./contacts.js";
import { knowledgeView } from "./knowledge.js";
import { ticketsView } from "./tickets.js";

export const helpdeskViews = [ticketsView, contactsView, knowledgeView];
