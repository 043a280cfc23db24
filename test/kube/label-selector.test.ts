import { describeLabels, describeSelector, selectorMatches, type LabelSelector } from '../../lib/kube/label-selector';

const labels = { release: 'kube-prometheus-stack', team: 'backup' };

describe('a label selector selects what the API server would', () => {
  const cases: [string, LabelSelector, boolean][] = [
    ['{} selects everything', {}, true],
    ['matchLabels that all match', { matchLabels: { release: 'kube-prometheus-stack' } }, true],
    ['a matchLabels value that differs', { matchLabels: { release: 'prometheus' } }, false],
    ['a matchLabels key that is missing', { matchLabels: { role: 'alert-rules' } }, false],
    ['In with the value', { matchExpressions: [{ key: 'team', operator: 'In', values: ['backup', 'ops'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'team', operator: 'In', values: ['ops'] }] }, false],
    ['In on a missing key', { matchExpressions: [{ key: 'role', operator: 'In', values: ['x'] }] }, false],
    ['NotIn with the value', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['backup'] }] }, false],
    ['NotIn on a missing key', { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists on a present key', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['Exists on a missing key', { matchExpressions: [{ key: 'role', operator: 'Exists' }] }, false],
    ['DoesNotExist on a present key', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    ['DoesNotExist on a missing key', { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] }, true],
    [
      'matchLabels and matchExpressions must both hold',
      {
        matchLabels: { release: 'kube-prometheus-stack' },
        matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['backup'] }],
      },
      false,
    ],
  ];
  test.each(cases)('%s', (_what, selector, selects) => {
    expect(selectorMatches(selector, labels)).toBe(selects);
  });
});

describe('selectors and labels in messages', () => {
  test.each([
    [{}, '{} (everything)'],
    [{ matchLabels: { release: 'kube-prometheus-stack' } }, 'release=kube-prometheus-stack'],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['a', 'b'] }] }, 'tier In (a, b)'],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, 'tier Exists'],
  ])('%j reads %s', (selector, text) => {
    expect(describeSelector(selector)).toBe(text);
  });

  test('labels read {k=v, ...}, no labels {}', () => {
    expect(describeLabels(labels)).toBe('{release=kube-prometheus-stack, team=backup}');
    expect(describeLabels({})).toBe('{}');
  });
});
