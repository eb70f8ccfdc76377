import { type StoredTemplate, type TemplateSummary } from './templates.repository';

export interface TemplateInput {
  name: string;
  subject: string;
  text?: string;
  html?: string;
}

export interface TemplateView {
  id: string;
  name: string;
  version: number;
  subject: string;
  text: string | null;
  html: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateSummaryView {
  id: string;
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function templateView(stored: StoredTemplate): TemplateView {
  return {
    id: stored.id,
    name: stored.name,
    version: stored.version,
    subject: stored.parts.subject,
    text: stored.parts.text ?? null,
    html: stored.parts.html ?? null,
    createdAt: stored.createdAt.toISOString(),
    updatedAt: stored.updatedAt.toISOString(),
  };
}

export function templateSummaryView(summary: TemplateSummary): TemplateSummaryView {
  return {
    id: summary.id,
    name: summary.name,
    version: summary.version,
    createdAt: summary.createdAt.toISOString(),
    updatedAt: summary.updatedAt.toISOString(),
  };
}
