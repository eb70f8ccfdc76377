/**
 * The journey the appointment specs enroll into: wait until 24 hours before the appointment's
 * start (the trigger data), send the reminder template, end.
 */
export function appointmentReminderDefinition(templateId: string) {
  return {
    start: 'before',
    steps: [
      {
        id: 'before',
        type: 'wait_time',
        next: 'remind',
        wait: {
          kind: 'relative_to_trigger',
          path: 'appointment.start',
          direction: 'before',
          duration: 'PT24H',
        },
      },
      { id: 'remind', type: 'send_email', templateId, next: 'end' },
      { id: 'end', type: 'end' },
    ],
  };
}
