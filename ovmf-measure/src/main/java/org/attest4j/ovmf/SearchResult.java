package org.attest4j.ovmf;

import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * The outcome of a mismatch search: every launch shape whose measurement equals the observed one,
 * and how many candidates were tried.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SearchResult {
  private final Bytes observed;
  private final List<LaunchShape> matches;
  private final long tried;
  private final List<String> notes;

  SearchResult(Bytes observed, List<LaunchShape> matches, long tried, List<String> notes) {
    this.observed = Objects.requireNonNull(observed);
    this.matches = List.copyOf(matches);
    this.tried = tried;
    this.notes = List.copyOf(notes);
  }

  /**
   * The observed measurement that was searched for.
   *
   * @return the observed measurement that was searched for
   */
  public Bytes observed() {
    return observed;
  }

  /**
   * The matching shapes (usually one; EC2/GCE shapes match for every vCPU type).
   *
   * @return the matching shapes (usually one; EC2/GCE shapes match for every vCPU type)
   */
  public List<LaunchShape> matches() {
    return matches;
  }

  /**
   * Whether any shape matched.
   *
   * @return whether any shape matched
   */
  public boolean found() {
    return !matches.isEmpty();
  }

  /**
   * How many candidate measurements were compared.
   *
   * @return how many candidate measurements were compared
   */
  public long candidatesTried() {
    return tried;
  }

  /**
   * Parts of the space that could not be tried, and why (for example no kernel-hashes section).
   *
   * @return parts of the space that could not be tried, and why (for example no kernel-hashes section)
   */
  public List<String> notes() {
    return notes;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(found() ? matches.size() + " launch shape(s) match " : "no launch shape matches ").append(observed)
        .append(" (").append(tried).append(" candidates tried)");
    for (LaunchShape s : matches) {
      sb.append("\n  ").append(s);
    }
    for (String n : notes) {
      sb.append("\n  note: ").append(n);
    }
    return sb.toString();
  }
}
