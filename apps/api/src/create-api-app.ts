import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type SealpostConfig } from '@sealpost/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { useJsonBodies } from './http/body-parsing';
import { useOpenApi } from './http/openapi';
import { createValidationPipe } from './http/validation.pipe';

/** The configured HTTP app, not yet listening; tests use it directly. */
export async function createApiApp(config: SealpostConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  configureApiApp(app, config);
  return app;
}

/**
 * Logging, body parsing, validation and OpenAPI, as every api app has them; an integration
 * test that overrides a port builds its app from a testing module and configures it here.
 */
export function configureApiApp(app: INestApplication, config: SealpostConfig): void {
  app.useLogger(app.get(Logger));
  useJsonBodies(app, config.http.maxMessageBytes);
  app.useGlobalPipes(createValidationPipe());
  useOpenApi(app);
  app.enableShutdownHooks();
}
