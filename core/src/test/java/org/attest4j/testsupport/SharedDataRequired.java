package org.attest4j.testsupport;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * jqwik counterpart of {@link SharedData#root()}'s skip: jqwik treats a JUnit assumption inside a
 * property as a rejected try (and then fails as exhausted), so property classes that read the
 * shared reference data declare {@code @AddLifecycleHook(SharedDataRequired.class)} and are
 * skipped, with a message, exactly when the shared folder is absent. When it is present nothing is
 * skipped and any disagreement fails.
 */
public final class SharedDataRequired implements SkipExecutionHook {
  @Override
  public SkipResult shouldBeSkipped(LifecycleContext context) {
    return SharedData.rootOrNull() == null
        ? SkipResult.skip("reference data folder ../shared not found (set -D" + SharedData.PROPERTY + "=DIR)")
        : SkipResult.doNotSkip();
  }
}
