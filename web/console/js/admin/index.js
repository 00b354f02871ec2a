// The admin's views: staff users, companies and their portals, settings, email templates, API keys.
import { emailTemplatesView } from "../templates/email-templates.js";
import { apiKeysView } from "./api-keys.js";
import { companiesView } from "./companies.js";
import { settingsView } from "./settings.js";
import { staffView } from "./staff.js";

export const adminViews = [staffView, companiesView, settingsView, emailTemplatesView, apiKeysView];
