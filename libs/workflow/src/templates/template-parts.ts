/** The three parts of a template, as stored and as edited. */
export interface TemplateParts {
  subject: string;
  text?: string;
  html?: string;
}

export type TemplatePartName = keyof TemplateParts;

export const TEMPLATE_PART_NAMES: readonly TemplatePartName[] = ['subject', 'text', 'html'];

/** What rendering a template for one contact produces. */
export interface RenderedTemplate {
  subject: string;
  text?: string;
  html?: string;
}

/** The contact values a template may use: the `ContactView` of contacts, or sample data. */
export interface TemplateContact {
  id: string;
  email: string;
  name: string | null;
  timeZone: string;
  fields: Record<string, unknown>;
}

export interface RenderInput {
  contact: TemplateContact;
  /** Data of the event that triggered the step (`trigger.*`); empty when there is none. */
  trigger?: Record<string, unknown>;
}
