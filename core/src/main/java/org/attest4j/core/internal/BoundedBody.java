package org.attest4j.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A {@link HttpResponse.BodySubscriber} that collects a response body up to a size limit and fails
 * (cancelling the transfer) once the body passes it. Combined with {@code sendAsync(..).get(timeout)}
 * it puts the whole response, body included, under one deadline: a server that sends its headers
 * and then stalls cannot hold the caller longer. Used by the endorsement clients and the KMS auth
 * webhook. One instance per response; internal to attest4j.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** Signals a body over the size limit. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  private final int limit;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  /**
   * A subscriber accepting at most {@code limit} bytes.
   *
   * @param limit the largest body accepted, in bytes
   */
  public BoundedBody(int limit) {
    this.limit = limit;
  }

  /**
   * Whether {@code t} (or one of its causes) is the over-limit failure of a {@link BoundedBody}.
   *
   * @param t the failure to inspect, may be {@code null}
   * @return {@code true} if the chain (up to 8 causes deep) holds the over-limit failure
   */
  public static boolean isTooLarge(Throwable t) {
    for (int i = 0; t != null && i < 8; i++, t = t.getCause()) {
      if (t instanceof TooLargeException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      if (out.size() + b.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new IOException(new TooLargeException("response body over " + limit + " bytes")));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      out.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(out.toByteArray());
  }
}
