// The admin's views: staff users, companies and their portals, teams, ticket categories, product
// areas, knowledge-base categories, settings, email settings, email templates, automation rules,
// API keys.
import { emailTemplatesView } from "../templates/email-templates.js";
import { apiKeysView } from "./api-keys.js";
import { automationView } from "./automation.js";
import { categoriesView } from "./categories.js";
import { companiesView } from "./companies.js";
import { emailSettingsView } from "./email-settings.js";
import { kbCategoriesView } from "./kb-categories.js";
import { productAreasView } from "./product-areas.js";
import { settingsView } from "./settings.js";
import { staffView } from "./staff.js";
import { teamsView } from "./teams.js";

export const adminViews = [
  staffView,
  companiesView,
  teamsView,
  categoriesView,
  productAreasView,
  kbCategoriesView,
  settingsView,
  emailSettingsView,
  emailTemplatesView,
  automationView,
  apiKeysView,
];
