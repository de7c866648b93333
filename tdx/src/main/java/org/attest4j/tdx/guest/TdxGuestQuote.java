package org.attest4j.tdx.guest;

import java.util.Objects;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.tdx.TdxQuote;

/** A quote a TDX guest obtained, with how it was obtained. Immutable and thread-safe. */
public final class TdxGuestQuote {
  private final byte[] quote;
  private final String source;

  private TdxGuestQuote(byte[] quote, String source) {
    this.quote = quote;
    this.source = source;
  }

  /**
   * A quote and a description of where it came from.
   *
   * @param quote the quote
   * @param source where it came from
   * @return A quote and a description of where it came from
   */
  public static TdxGuestQuote of(byte[] quote, String source) {
    return new TdxGuestQuote(Objects.requireNonNull(quote, "quote").clone(), Objects.requireNonNull(source, "source"));
  }

  /**
   * The raw quote (v4 or v5), exactly as the kernel returned it.
   *
   * @return the raw quote (v4 or v5), exactly as the kernel returned it
   */
  public byte[] quote() {
    return quote.clone();
  }

  /**
   * How it was obtained, e.g. {@code configfs-tsm ... (provider tdx_guest)}.
   *
   * @return how it was obtained, e.g. {@code configfs-tsm ... (provider tdx_guest)}
   */
  public String source() {
    return source;
  }

  /**
   * The quote, parsed.
   *
   * @return the quote, parsed
   * @throws MalformedEvidenceException if the input is malformed
   */
  public TdxQuote parse() throws MalformedEvidenceException {
    return TdxQuote.parse(quote);
  }

  @Override
  public String toString() {
    return "TdxGuestQuote[" + quote.length + " bytes from " + source + "]";
  }
}
