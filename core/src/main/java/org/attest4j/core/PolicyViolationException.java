package org.attest4j.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Authentic evidence that the caller's policy refuses. It carries every failed rule, not just the
 * first, so an operator sees the whole picture at once. {@link #reason()} is the first violation's.
 */
public class PolicyViolationException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /**
   * One failed policy rule.
   *
   * @param reason machine-readable reason
   * @param rule short name of the rule, for example {@code "minimum_tcb.snp"}
   * @param message what was expected and what was found
   */
  public record Violation(ReasonCode reason, String rule, String message) {
    /**
     * Checks that no component is null.
     *
     * @param reason machine-readable reason
     * @param rule short name of the rule
     * @param message what was expected and what was found
     * @throws NullPointerException if any component is null
     */
    public Violation {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return rule + ": " + message;
    }
  }

  private final transient List<Violation> violations;

  /**
   * A refusal listing every failed rule; {@code violations} must not be empty.
   *
   * @param violations the failed rules in check order; copied, must not be empty
   * @throws IllegalArgumentException if {@code violations} is null or empty
   */
  public PolicyViolationException(List<Violation> violations) {
    super(first(violations).reason(), summarize(violations), null);
    this.violations = List.copyOf(violations);
  }

  /**
   * Every failed rule, in the order the policy checked them; never empty.
   *
   * @return an unmodifiable, non-empty list of the failed rules
   */
  public List<Violation> violations() {
    return violations;
  }

  private static Violation first(List<Violation> violations) {
    if (violations == null || violations.isEmpty()) {
      throw new IllegalArgumentException("a policy violation needs at least one failed rule");
    }
    return violations.get(0);
  }

  private static String summarize(List<Violation> violations) {
    first(violations);
    return violations.size() == 1
        ? violations.get(0).toString()
        : violations.size()
            + " policy rules failed: "
            + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }
}
