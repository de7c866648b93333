package org.attest4j.kms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The kernel command line a KMS pins, with placeholders for per-deployment values that the
 * measurement covers through the kernel-hashes table: {@code {app_id}}, {@code {compose_hash}},
 * {@code {instance_id}}, {@code {rootfs_hash}} and {@code {docker_files_hash}}. The KMS renders it
 * with the values the guest claims (as lowercase hex) and recomputes MEASUREMENT; a guest launched
 * with any other command line, or claiming other values, does not match.
 *
 * <p>Example: {@code "console=ttyS0 dstack.app_id={app_id} dstack.compose_hash={compose_hash}"}.
 * A template without placeholders is a fixed command line (the HOST_DATA identity binding).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CmdlineTemplate {
  /** Placeholder names a template may use. */
  public static final Set<String> KNOWN =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of("app_id", "compose_hash", "instance_id", "rootfs_hash", "docker_files_hash")));

  private static final int MAX_LENGTH = 4096;

  private final String template;
  private final List<Object> parts; // String literal or Placeholder
  private final Set<String> placeholders;

  private record Placeholder(String name) {}

  private CmdlineTemplate(String template, List<Object> parts, Set<String> placeholders) {
    this.template = template;
    this.parts = parts;
    this.placeholders = placeholders;
  }

  /**
   * Parses a template.
   *
   * @param template the template
   * @return the parsed template
   * @throws IllegalArgumentException if it uses an unknown placeholder, has an unbalanced brace,
   *     contains a control character, or is longer than 4096 characters
   */
  public static CmdlineTemplate of(String template) {
    Objects.requireNonNull(template, "template");
    if (template.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("command-line template longer than " + MAX_LENGTH);
    }
    List<Object> parts = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("control character in command-line template at " + i);
      }
      if (c == '}') {
        throw new IllegalArgumentException("unbalanced '}' in command-line template at " + i);
      }
      if (c == '{') {
        int end = template.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException("unbalanced '{' in command-line template at " + i);
        }
        String name = template.substring(i + 1, end);
        if (!KNOWN.contains(name)) {
          throw new IllegalArgumentException(
              "unknown placeholder {" + name + "} in command-line template; known: " + KNOWN);
        }
        if (lit.length() > 0) {
          parts.add(lit.toString());
          lit.setLength(0);
        }
        parts.add(new Placeholder(name));
        names.add(name);
        i = end;
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) {
      parts.add(lit.toString());
    }
    return new CmdlineTemplate(template, List.copyOf(parts), Collections.unmodifiableSet(names));
  }

  /**
   * The template text.
   *
   * @return the template text
   */
  public String template() {
    return template;
  }

  /**
   * The placeholder names it uses, in order of first use.
   *
   * @return the placeholder names it uses, in order of first use
   */
  public Set<String> placeholders() {
    return placeholders;
  }

  /**
   * Whether the template has the placeholder {@code name}.
   *
   * @param name a placeholder name, for example {@code app_id}
   * @return whether the template has the placeholder {@code name}
   */
  public boolean binds(String name) {
    return placeholders.contains(name);
  }

  /**
   * Renders the command line, each placeholder replaced by the lowercase hex of its value.
   *
   * @param values the value of every placeholder, by name
   * @return the rendered command line
   * @throws MalformedEvidenceException ({@link KmsReason#BAD_REQUEST}) if a placeholder has no
   *     value
   */
  public String render(Map<String, Bytes> values) throws MalformedEvidenceException {
    if (placeholders.isEmpty()) {
      return template; // a fixed command line renders to itself
    }
    StringBuilder sb = new StringBuilder(template.length() + 128);
    for (Object p : parts) {
      if (p instanceof Placeholder ph) {
        Bytes v = values.get(ph.name());
        if (v == null) {
          throw new MalformedEvidenceException(
              KmsReason.BAD_REQUEST, "the pinned command line needs " + ph.name() + " but the request has none");
        }
        sb.append(v.toHex());
      } else {
        sb.append((String) p);
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CmdlineTemplate t && t.template.equals(template);
  }

  @Override
  public int hashCode() {
    return template.hashCode();
  }

  @Override
  public String toString() {
    return template;
  }
}
