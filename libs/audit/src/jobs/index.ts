export * from './checkpoint-sweeper';
export * from './message-event-chainer';
