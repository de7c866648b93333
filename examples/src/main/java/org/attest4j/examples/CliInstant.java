package org.attest4j.examples;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one parser of {@code --at} values for every command: an ISO-8601 instant ({@code
 * 2025-06-01T00:00:00Z}), an ISO-8601 date-time with offset (a space may stand for the {@code T}),
 * a date (midnight UTC), or unix seconds (optionally with a fraction). Stateless and thread-safe.
 */
final class CliInstant {
  /** What {@link #parse} accepts, for usage messages. */
  static final String FORMS =
      "an ISO-8601 instant such as 2025-06-01T00:00:00Z, a date-time with offset, a date, or unix seconds";

  private CliInstant() {}

  /** The instant {@code text} names, or empty when it is none of the accepted forms. */
  static Optional<Instant> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    String t = text.strip();
    try {
      if (t.matches("-?\\d+")) {
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(t)));
      }
      if (t.matches("-?\\d+\\.\\d+")) {
        BigDecimal d = new BigDecimal(t);
        long sec = d.longValue();
        long nanos = d.subtract(BigDecimal.valueOf(sec)).movePointRight(9).longValue();
        return Optional.of(Instant.ofEpochSecond(sec, nanos));
      }
    } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(t));
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return Optional.of(OffsetDateTime.parse(t.replace(' ', 'T')).toInstant());
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return Optional.of(LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
