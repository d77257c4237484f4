package dev.wasmbind.sidecar.runtime;

/**
 * The byte stream of Go's {@code math/rand.New(rand.NewSource(seed))} read as an {@code io.Reader}:
 * wazero's default random source, which Dapr's strict sandbox keeps (seed 42). Not thread-safe; one
 * per guest call.
 *
 * <p>Go's source is an additive lagged Fibonacci generator, {@code w[n] = w[n-607] + w[n-273]} mod
 * 2<sup>64</sup>, whose 607-word state is seeded by a Park–Miller generator XOR a fixed "cooked"
 * table. Go ships that table as the generator's state after 7.8e12 steps from {@code srand(1)};
 * {@link CookedTable} recomputes it here by jumping ahead with polynomial arithmetic instead of
 * stepping 7.8e12 times.
 */
final class GoMathRand {

    static final int LENGTH = 607;
    static final int TAP = 273;
    private static final long MASK_63 = Long.MAX_VALUE;
    private static final int PM_MODULUS = Integer.MAX_VALUE; // 2^31 - 1
    private static final int PM_MULTIPLIER = 48271;
    private static final int PM_QUOTIENT = 44488; // PM_MODULUS / PM_MULTIPLIER
    private static final int PM_REMAINDER = 3399; // PM_MODULUS % PM_MULTIPLIER
    private static final int ZERO_SEED_REPLACEMENT = 89482311;

    private final long[] vec = new long[LENGTH];
    private int tap;
    private int feed;
    private long readValue;
    private int readPosition;

    GoMathRand(long seed) {
        tap = 0;
        feed = LENGTH - TAP;
        long s = seed % PM_MODULUS;
        if (s < 0) {
            s += PM_MODULUS;
        }
        if (s == 0) {
            s = ZERO_SEED_REPLACEMENT;
        }
        long[] cooked = CookedTable.VALUES;
        int x = (int) s;
        for (int i = -20; i < LENGTH; i++) {
            x = parkMiller(x);
            if (i >= 0) {
                long u = (long) x << 40;
                x = parkMiller(x);
                u ^= (long) x << 20;
                x = parkMiller(x);
                u ^= x;
                u ^= cooked[i];
                vec[i] = u & MASK_63;
            }
        }
    }

    /** The next non-negative 63-bit value ({@code Source.Int63}). */
    long int63() {
        return step(vec) & MASK_63;
    }

    private long step(long[] state) {
        if (--tap < 0) {
            tap += LENGTH;
        }
        if (--feed < 0) {
            feed += LENGTH;
        }
        long next = (state[feed] + state[tap]) & MASK_63;
        state[feed] = next;
        return next;
    }

    /**
     * Fills {@code bytes} like {@code (*Rand).Read}: each {@link #int63()} gives 7 bytes, low byte
     * first; bytes left over from one read are used by the next.
     */
    void read(byte[] bytes) {
        read(bytes, 0, bytes.length);
    }

    /**
     * Fills {@code bytes[offset, offset + length)} as {@link #read(byte[])} would: reading a buffer
     * in pieces gives the same bytes as reading it at once.
     */
    void read(byte[] bytes, int offset, int length) {
        int position = readPosition;
        long value = readValue;
        int end = offset + length;
        for (int n = offset; n < end; n++) {
            if (position == 0) {
                value = int63();
                position = 7;
            }
            bytes[n] = (byte) value;
            value >>= 8;
            position--;
        }
        readPosition = position;
        readValue = value;
    }

    /** One step of the Park–Miller "minimal standard" generator, without overflow (Schrage). */
    static int parkMiller(int x) {
        int hi = x / PM_QUOTIENT;
        int lo = x % PM_QUOTIENT;
        x = PM_MULTIPLIER * lo - PM_REMAINDER * hi;
        if (x < 0) {
            x += PM_MODULUS;
        }
        return x;
    }

    /**
     * The cooked table: the state of the 64-bit generator seeded by {@code srand(1)} (Park–Miller
     * words combined with shifts 20/10/0) after 7.8e12 steps, lower 63 bits, indexed by position in
     * the state vector.
     */
    static final class CookedTable {

        static final long STEPS = 7_800_000_000_000L;
        static final long[] VALUES = compute(STEPS);

        private CookedTable() {}

        /**
         * The values written by step {@code t} are {@code w[t] = w[t-607] + w[t-273]}, at position
         * {@code (334 - t) mod 607}; the initial state holds {@code w[-606..0]}. So {@code w[n]} is
         * a linear combination of the initial words with the coefficients of {@code x^(n+606) mod
         * (x^607 - x^334 - 1)}, taking the initial words as {@code w[-606]..w[0]} for {@code
         * x^0..x^606}.
         */
        static long[] compute(long steps) {
            long[] initial = initialState();
            // window[k] = w[k - 606], k = 0..606, read from the initial vector's positions.
            long[] window = new long[LENGTH];
            for (int k = 0; k < LENGTH; k++) {
                window[k] = initial[positionOf(k - 606)];
            }
            long[] result = new long[LENGTH];
            // After `steps` steps the vector holds w[steps-606 .. steps].
            long[] poly = powerOfX(steps - 606 + 606);
            for (long t = steps - 606; t <= steps; t++) {
                long value = 0;
                for (int k = 0; k < LENGTH; k++) {
                    value += poly[k] * window[k];
                }
                result[positionOf(t)] = value & MASK_63;
                poly = timesX(poly);
            }
            return result;
        }

        private static int positionOf(long t) {
            return (int) Math.floorMod(LENGTH - TAP - t, (long) LENGTH);
        }

        private static long[] initialState() {
            long[] state = new long[LENGTH];
            int x = 1;
            for (int i = -20; i < LENGTH; i++) {
                x = parkMiller(x);
                if (i >= 0) {
                    long u = (long) x << 20;
                    x = parkMiller(x);
                    u ^= (long) x << 10;
                    x = parkMiller(x);
                    u ^= x;
                    state[i] = u;
                }
            }
            return state;
        }

        /** x^e mod P(x), P(x) = x^607 - x^334 - 1, coefficients mod 2^64. */
        private static long[] powerOfX(long e) {
            long[] result = new long[LENGTH];
            result[0] = 1;
            long[] base = new long[LENGTH];
            base[1] = 1;
            while (e > 0) {
                if ((e & 1) != 0) {
                    result = multiply(result, base);
                }
                e >>>= 1;
                if (e > 0) {
                    base = multiply(base, base);
                }
            }
            return result;
        }

        private static long[] multiply(long[] a, long[] b) {
            long[] product = new long[2 * LENGTH - 1];
            for (int i = 0; i < LENGTH; i++) {
                long ai = a[i];
                if (ai == 0) {
                    continue;
                }
                for (int j = 0; j < LENGTH; j++) {
                    product[i + j] += ai * b[j];
                }
            }
            return reduce(product);
        }

        private static long[] timesX(long[] a) {
            long[] product = new long[LENGTH + 1];
            System.arraycopy(a, 0, product, 1, LENGTH);
            return reduce(product);
        }

        /** x^607 = x^334 + 1: fold every term of degree 607 or more down. */
        private static long[] reduce(long[] product) {
            for (int k = product.length - 1; k >= LENGTH; k--) {
                long c = product[k];
                if (c != 0) {
                    product[k - TAP] += c;
                    product[k - LENGTH] += c;
                }
            }
            long[] reduced = new long[LENGTH];
            System.arraycopy(product, 0, reduced, 0, LENGTH);
            return reduced;
        }
    }
}
