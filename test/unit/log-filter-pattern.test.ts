import { describe, expect, it } from 'vitest';
import { filterMatches, insightContributor, select } from '../support/log-filter-pattern.js';

const line = JSON.stringify({ level: 'INFO', message: 'call denied', audit: { outcome: 'DENIED', actorId: 'u-1', statusCode: 403 }, items: [{ id: 'a' }] });

describe('CloudWatch filter pattern evaluator (test support)', () => {
  it('matches a string equality on a nested field, and only that value', () => {
    expect(filterMatches('{ $.audit.outcome = "DENIED" }', line)).toBe(true);
    expect(filterMatches('{ $.audit.outcome = "SUCCESS" }', line)).toBe(false);
    expect(filterMatches('{ $.audit.outcome != "SUCCESS" }', line)).toBe(true);
    expect(filterMatches('{ $.message.audit.outcome = "DENIED" }', line)).toBe(false);
  });

  it('never matches a missing field, an object, or a line that is not JSON', () => {
    expect(filterMatches('{ $.missing != "x" }', line)).toBe(false);
    expect(filterMatches('{ $.audit = "x" }', line)).toBe(false);
    expect(filterMatches('{ $.audit.outcome = "DENIED" }', 'DENIED outcome')).toBe(false);
  });

  it('supports wildcards, numbers, array indexes, && over ||, and parentheses', () => {
    expect(filterMatches('{ $.message = "call*" }', line)).toBe(true);
    expect(filterMatches('{ $.message = "*x" }', line)).toBe(false);
    expect(filterMatches('{ $.audit.statusCode >= 403 && $.audit.statusCode < 404 }', line)).toBe(true);
    expect(filterMatches('{ $.audit.statusCode > 403 }', line)).toBe(false);
    expect(filterMatches('{ $.items[0].id = "a" }', line)).toBe(true);
    expect(filterMatches('{ ($.level = "ERROR") || ($.audit.outcome = "DENIED") }', line)).toBe(true);
    expect(filterMatches('{ $.level = "ERROR" || $.level = "INFO" && $.message = "nope" }', line)).toBe(false);
    expect(filterMatches('{ ($.level = "ERROR" || $.level = "INFO") && $.message = "nope" }', line)).toBe(false);
    expect(filterMatches('{ $.level = "INFO" || $.level = "ERROR" && $.message = "nope" }', line)).toBe(true);
  });

  it('matches term patterns only when every term occurs', () => {
    expect(filterMatches('"call" "denied"', line)).toBe(true);
    expect(filterMatches('"call" "allowed"', line)).toBe(false);
    expect(filterMatches('"call denied"', line)).toBe(true);
  });

  it('refuses syntax it does not implement rather than guessing', () => {
    expect(() => filterMatches('{ $.a IS NULL }', line)).toThrow();
    expect(() => filterMatches('?ERROR ?WARN', line)).toThrow();
    expect(() => select({}, 'a.b')).toThrow();
  });

  it('names the contributor of a Contributor Insights rule, or none when its filter refuses the line', () => {
    const rule = { LogFormat: 'JSON', Contribution: { Keys: ['$.audit.actorId'], Filters: [{ Match: '$.audit.outcome', In: ['DENIED'] }] } };
    expect(insightContributor(rule, line)).toEqual(['u-1']);
    expect(insightContributor({ ...rule, Contribution: { ...rule.Contribution, Filters: [{ Match: '$.audit.outcome', In: ['SUCCESS'] }] } }, line)).toBeUndefined();
    expect(insightContributor(rule, 'not json')).toBeUndefined();
  });
});
