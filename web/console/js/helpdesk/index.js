// The help desk's views: contacts (tickets and the knowledge base will join them).
import { contactsView } from "./contacts.js";

export const helpdeskViews = [contactsView];
