// The admin's views: staff users, companies and their portals, settings, email settings, email
// templates, API keys.
import { emailTemplatesView } from "../templates/email-templates.js";
import { apiKeysView } from "./api-keys.js";
import { companiesView } from "./companies.js";
import { emailSettingsView } from "./email-settings.js";
import { settingsView } from "./settings.js";
import { staffView } from "./staff.js";

export const adminViews = [staffView, companiesView, settingsView, emailSettingsView, emailTemplatesView, apiKeysView];
