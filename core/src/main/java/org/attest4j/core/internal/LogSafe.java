package org.attest4j.core.internal;

/**
 * The one escaper for untrusted text in messages and logs (request strings, JSON keys, certificate
 * names): at most 64 code points, controls, DEL,
 * quotes, backslashes and non-alphanumeric non-ASCII characters as {@code \}{@code uXXXX}, so a
 * message cannot forge log lines or hide characters. Stateless; internal.
 */
public final class LogSafe {
  private static final int MAX = 64;

  private LogSafe() {}

  /**
   * Escapes untrusted text.
   *
   * @param s the text (null gives "null")
   * @return the escaped, possibly shortened text
   */
  public static String of(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(MAX).forEach(c -> {
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\'
          || (c >= 0x80 && !Character.isLetterOrDigit(c))) {
        if (c > 0xffff) {
          for (char ch : Character.toChars(c)) {
            b.append(String.format("\\u%04x", (int) ch));
          }
        } else {
          b.append(String.format("\\u%04x", c));
        }
      } else {
        b.appendCodePoint(c);
      }
    });
    return s.codePointCount(0, s.length()) > MAX ? b.append("...").toString() : b.toString();
  }
}
