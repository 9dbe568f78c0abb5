import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIME_TICK_SPACE, timeTickLabels } from './time-axis';

const at = (iso: string) => Date.parse(iso) / 1000;
/** A generous width per character of the axis's 12 px type (digits and colons are narrower). */
const PX_PER_CHAR = 7.5;

describe('timeTickLabels', () => {
  it('labels ticks less than a minute apart with seconds, on one line', () => {
    const labels = timeTickLabels([at('2026-12-05T15:47:30Z'), at('2026-12-05T15:48:00Z')], 30, 'UTC');
    assert.deepEqual(labels, ['15:47:30', '15:48:00']);
  });

  it('labels minute and hour steps without seconds', () => {
    assert.deepEqual(timeTickLabels([at('2026-12-05T15:40:00Z'), at('2026-12-05T15:50:00Z')], 600, 'UTC'), [
      '15:40',
      '15:50',
    ]);
  });

  it('puts the date on the tick where a new day starts', () => {
    const labels = timeTickLabels(
      [at('2026-12-05T18:00:00Z'), at('2026-12-06T00:00:00Z'), at('2026-12-06T06:00:00Z')],
      6 * 3600,
      'UTC',
    );
    assert.deepEqual(labels, ['18:00', 'Dec 6', '06:00']);
  });

  it('labels day steps with the date only', () => {
    assert.deepEqual(
      timeTickLabels([at('2026-12-01T00:00:00Z'), at('2026-12-02T00:00:00Z')], 86_400, 'UTC'),
      ['Dec 1', 'Dec 2'],
    );
  });

  it('never makes a label wider than the space between two ticks, for any step', () => {
    const start = at('2026-12-05T23:59:30Z');
    for (const step of [1, 5, 15, 30, 60, 300, 3600, 6 * 3600, 86_400, 7 * 86_400]) {
      const labels = timeTickLabels([start, start + step, start + 2 * step], step, 'UTC');
      for (const label of labels) {
        assert.ok(!label.includes('\n'), `one line: ${JSON.stringify(label)}`);
        assert.ok(label.length * PX_PER_CHAR < TIME_TICK_SPACE, `${label} fits in ${TIME_TICK_SPACE} px`);
      }
    }
  });
});
