import { renderFunnelSvg } from './funnel-svg';
import { type WorkflowStats } from './workflow-stats.service';

function statsOf(steps: WorkflowStats['steps']): WorkflowStats {
  return {
    workflowId: 'w',
    version: 3,
    enrollments: { total: 10, active: 4, completed: 6, left: 0, failed: 0 },
    endings: {},
    steps,
  };
}

describe('renderFunnelSvg', () => {
  const steps: WorkflowStats['steps'] = [
    { stepId: 'invite', type: 'send_email', active: 0, processed: 10, outcomes: { sent: 10 } },
    { stepId: 'pause', type: 'wait_time', active: 4, processed: 5, outcomes: { waited: 5 } },
  ];

  it('draws one row per step with bars scaled to the largest count', () => {
    const svg = renderFunnelSvg('Reminders', statsOf(steps));

    expect(svg.match(/<g data-step=/g)).toHaveLength(2);
    expect(svg).toContain('width="360" height="24" fill="#7aa6d8"');
    expect(svg).toContain('width="180" height="24" fill="#7aa6d8"');
    expect(svg).toContain('width="144" height="24" fill="#1f4e8c"');
    expect(svg).toContain('5 processed, 4 active');
    expect(svg).toContain('(version 3, 10 enrolled)');
  });

  it('escapes names so a workflow title cannot inject markup', () => {
    const svg = renderFunnelSvg('<script>alert(1)</script> & "x"', statsOf([]));

    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;x&#34;');
  });

  it('draws empty bars, not NaN, before anyone enrolled', () => {
    const svg = renderFunnelSvg('New', statsOf([{ ...steps[0], processed: 0 }]));

    expect(svg).not.toContain('NaN');
    expect(svg).toContain('width="0"');
  });
});
