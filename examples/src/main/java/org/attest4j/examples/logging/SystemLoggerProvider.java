package org.attest4j.examples.logging;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Routes SLF4J (the API Jetty and Jedis log through) to {@link System.Logger}, so the example server's
 * logs go where attest4j's go (java.util.logging by default) without another logging dependency.
 * SLF4J INFO becomes System.Logger DEBUG: Jetty's start-up banners are not for operators; WARN and
 * ERROR keep their levels. Registered in {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}.
 *
 * <p>Thread-safe.
 */
public final class SystemLoggerProvider implements SLF4JServiceProvider {
  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Creates the provider (SLF4J's service loader calls this). */
  public SystemLoggerProvider() {}

  @Override
  public ILoggerFactory getLoggerFactory() {
    return name -> loggers.computeIfAbsent(name, Bridge::new);
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // nothing to set up
  }

  private static final class Bridge extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient System.Logger target;

    Bridge(String name) {
      this.name = name;
      this.target = System.getLogger(name);
    }

    private static Level map(org.slf4j.event.Level l) {
      return switch (l) {
        case ERROR -> Level.ERROR;
        case WARN -> Level.WARNING;
        case INFO, DEBUG -> Level.DEBUG;
        case TRACE -> Level.TRACE;
      };
    }

    @Override
    public boolean isTraceEnabled() {
      return target.isLoggable(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return target.isLoggable(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return target.isLoggable(Level.DEBUG);
    }

    @Override
    public boolean isWarnEnabled() {
      return target.isLoggable(Level.WARNING);
    }

    @Override
    public boolean isErrorEnabled() {
      return target.isLoggable(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, Marker marker, String pattern,
        Object[] args, Throwable t) {
      Level l = map(level);
      if (!target.isLoggable(l)) {
        return;
      }
      String msg = MessageFormatter.basicArrayFormat(pattern, args);
      if (t != null) {
        target.log(l, msg, t);
      } else {
        target.log(l, msg);
      }
    }
  }
}
