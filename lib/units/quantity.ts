/**
 * Kubernetes quantities (`resource.Quantity` of k8s.io/apimachinery): the one parser for every size and
 * amount the stack reads (container CPU and memory, PVC sizes).
 *
 * The grammar, as apimachinery's `quantity.go` states and `ParseQuantity` implements it:
 *
 *     <quantity>        ::= <signedNumber><suffix>
 *     <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 *     <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *     <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 *     <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
 *     <signedNumber>    ::= <number> | <sign><number>
 *     <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *     <sign>            ::= "+" | "-"
 *
 * No whitespace anywhere, one suffix at most, case-sensitive (`1gi`, `1K` are refused, as the API server
 * refuses them). The value is kept exact, as a fraction of two bigints: `1.5Gi` is 1610612736, `100m` is
 * 1/10, `1e-3` is 1/1000. What a field allows on top of the grammar (a PVC size is a whole number of
 * bytes ≥ 1, a CPU may be millicores) is for the caller to check, with its own message.
 */

/** How a quantity was written: the suffix family, as apimachinery's `Format`. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** Suffixes people write that the grammar does not have, with what they meant. */
const SUFFIX_HINTS: Readonly<Record<string, string>> = {
  K: "'k' (kilo, 1000) or 'Ki' (kibi, 1024)",
  KB: "'k' or 'Ki'",
  KiB: "'Ki'",
  MB: "'M' or 'Mi'",
  MiB: "'Mi'",
  GB: "'G' or 'Gi'",
  GiB: "'Gi'",
  TB: "'T' or 'Ti'",
  TiB: "'Ti'",
  gi: "'Gi'",
  mi: "'Mi' (mebibytes) or 'm' (thousandths)",
  ki: "'Ki'",
};

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** A parse failure: `reason` says what is wrong, for the caller's own message. */
export class QuantityError extends Error {
  constructor(
    public readonly text: string,
    public readonly reason: string,
  ) {
    super(`'${text}' is not a Kubernetes quantity: ${reason}; write e.g. '100m', '1.5Gi', '500M' or '1e9'`);
    this.name = 'QuantityError';
  }
}

/** An exact Kubernetes quantity. */
export class Quantity {
  /**
   * Parses `text` by the Kubernetes grammar. Throws a QuantityError on anything the API server would
   * refuse: `''`, `Gi`, `1.5.5`, `1 Gi`, `1iB`, `1GB`, `1e1.5`.
   */
  public static parse(text: string): Quantity {
    const m = QUANTITY.exec(text);
    if (text === '') throw new QuantityError(text, 'it is empty');
    if (/\s/.test(text)) throw new QuantityError(text, 'it contains whitespace');
    const [, sign, whole, frac, suffix] = m!;
    if (whole === '' && !frac) throw new QuantityError(text, 'it does not start with a number');
    const digits = `${whole}${frac ?? ''}`;
    let numerator = BigInt(digits) * (sign === '-' ? -1n : 1n);
    let denominator = 10n ** BigInt((frac ?? '').length);
    let format: QuantityFormat;
    if (suffix in BINARY_SUFFIXES) {
      format = 'BinarySI';
      numerator *= 2n ** BigInt(BINARY_SUFFIXES[suffix]);
    } else if (suffix in DECIMAL_SUFFIXES) {
      format = 'DecimalSI';
      const exp = DECIMAL_SUFFIXES[suffix];
      if (exp >= 0) numerator *= 10n ** BigInt(exp);
      else denominator *= 10n ** BigInt(-exp);
    } else if (/^[eE][+-]?\d+$/.test(suffix)) {
      format = 'DecimalExponent';
      const exp = Number(suffix.slice(1));
      if (Math.abs(exp) > 1000) throw new QuantityError(text, `exponent ${exp} is out of range`);
      if (exp >= 0) numerator *= 10n ** BigInt(exp);
      else denominator *= 10n ** BigInt(-exp);
    } else {
      const hint = SUFFIX_HINTS[suffix];
      const reason = suffix.startsWith('.')
        ? 'it has more than one decimal point'
        : /^[eE]/.test(suffix)
          ? `the exponent '${suffix}' is not a whole number`
          : `unknown suffix '${suffix}'${hint ? `; did you mean ${hint}?` : ''}`;
      throw new QuantityError(text, reason);
    }
    const g = gcd(numerator, denominator);
    if (g > 1n) {
      numerator /= g;
      denominator /= g;
    }
    return new Quantity(text, numerator, denominator, format);
  }

  /** The quantity `text`, or undefined when it is not one. */
  public static tryParse(text: string): Quantity | undefined {
    try {
      return Quantity.parse(text);
    } catch (e) {
      if (e instanceof QuantityError) return undefined;
      throw e;
    }
  }

  private constructor(
    /** The text as written. */
    public readonly text: string,
    /** The exact value is `numerator / denominator` (in lowest terms, denominator > 0). */
    public readonly numerator: bigint,
    public readonly denominator: bigint,
    public readonly format: QuantityFormat,
  ) {}

  /** Negative, zero or positive as this is below, equal to or above `other` (exact). */
  public compare(other: Quantity): number {
    const a = this.numerator * other.denominator;
    const b = other.numerator * this.denominator;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  public get isNegative(): boolean {
    return this.numerator < 0n;
  }

  public get isZero(): boolean {
    return this.numerator === 0n;
  }

  /** True for a whole number of units (`1Gi`, `1.5Ki`, `2`, `1e3`), false for `100m` or `0.5`. */
  public get isWhole(): boolean {
    return this.denominator === 1n;
  }

  /** The value in thousandths, when it is a whole number of them (`100m` → 100n, `1.5` → 1500n). */
  public get millis(): bigint | undefined {
    const scaled = this.numerator * 1000n;
    return scaled % this.denominator === 0n ? scaled / this.denominator : undefined;
  }

  /** The value when it is whole (`1.5Gi` → 1610612736n); throws otherwise. */
  public toBigInt(): bigint {
    if (!this.isWhole) throw new RangeError(`quantity '${this.text}' is not a whole number`);
    return this.numerator;
  }

  /** The nearest JavaScript number, for sums and reports (exact up to 2^53). */
  public toNumber(): number {
    if (this.isWhole) return Number(this.numerator);
    const whole = this.numerator / this.denominator;
    const rest = this.numerator % this.denominator;
    return Number(whole) + Number((rest * 10n ** 18n) / this.denominator) / 1e18;
  }

  public toString(): string {
    return this.text;
  }
}
