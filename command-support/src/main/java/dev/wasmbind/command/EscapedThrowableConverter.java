package dev.wasmbind.command;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %ex} for text logs with each exception's message escaped as {@link
 * EscapedMessageConverter} escapes {@code %msg}: the stack trace keeps its own line per frame, but
 * a message (a server's answer, a name, a path) inside it, or inside a cause or a suppressed
 * exception, cannot start a forged log line. {@link Logging} registers it as {@code %eex}.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(Escaped.of(tp));
    }

    /** The throwable as logback sees it, its messages and those of its causes escaped. */
    private record Escaped(IThrowableProxy delegate) implements IThrowableProxy {

        static IThrowableProxy of(IThrowableProxy tp) {
            return tp == null ? null : new Escaped(tp);
        }

        @Override
        public String getMessage() {
            return EscapedMessageConverter.escape(delegate.getMessage());
        }

        @Override
        public String getClassName() {
            return EscapedMessageConverter.escape(delegate.getClassName());
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return delegate.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return delegate.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of(delegate.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = delegate.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = of(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return delegate.isCyclic();
        }
    }
}
