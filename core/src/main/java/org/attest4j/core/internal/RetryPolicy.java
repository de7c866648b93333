package org.attest4j.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Bounded retries with exponential backoff for endorsement servers (AMD KDS, Intel PCS, PCCS). The
 * attempt count is bounded, each backoff is capped, and a server's {@code Retry-After} is honoured
 * only up to {@link #maxRetryAfter()}: a longer demand ends the retries at once so the caller can
 * report it. Immutable and thread-safe. Internal to attest4j.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryAfter;

  private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException("maxAttempts must be 1..20, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxRetryAfter = maxRetryAfter;
  }

  /**
   * A policy; see the accessors for the meaning of each bound.
   *
   * @param maxAttempts see {@link #maxAttempts()}
   * @param initialBackoff see {@link #initialBackoff()}
   * @param maxBackoff see {@link #maxBackoff()}
   * @param maxRetryAfter see {@link #maxRetryAfter()}
   * @return the policy
   */
  public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    return new RetryPolicy(
        maxAttempts,
        Objects.requireNonNull(initialBackoff, "initialBackoff"),
        Objects.requireNonNull(maxBackoff, "maxBackoff"),
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter"));
  }

  /**
   * The total number of attempts, the first included.
   *
   * @return the attempt limit, at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The wait after the first failed attempt; it doubles after each further failure.
   *
   * @return the first backoff
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * The cap on any one backoff.
   *
   * @return the longest backoff
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * The longest {@code Retry-After} that is waited for; longer ones end the retries.
   *
   * @return the longest honoured {@code Retry-After}
   */
  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /**
   * The backoff after failed attempt number {@code attempt} (1-based).
   *
   * @param attempt the 1-based number of the attempt that failed
   * @return the wait before the next attempt, at most {@link #maxBackoff()}
   */
  public Duration backoff(int attempt) {
    Duration d = initialBackoff;
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  /**
   * Parses an HTTP {@code Retry-After} value: delta-seconds or an IMF-fixdate / RFC 1123 date,
   * relative to {@code now}. Unparseable values give empty; dates in the past give zero.
   *
   * @param value the header value, may be {@code null}
   * @param now the time a date is measured from
   * @return the delay, or empty if the value cannot be parsed
   */
  public static Optional<Duration> parseRetryAfter(String value, Instant now) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (v.length() > 9) {
        return Optional.of(Duration.ofSeconds(999_999_999L));
      }
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
