;; tinygo-strict: the WASI calls a TinyGo (wasip1) build of Dapr's strict-sandbox test program
;; makes (components-contrib common/wasm/testdata/strict: print time.Now().Nanosecond(), print
;; time.Since(t), sleep 50 ms, read 5 random bytes), written by hand because TinyGo cannot be
;; installed here. TinyGo's runtime reads the monotonic time from the REALTIME clock, and the time
;; package reads it once at init (startNano), so time.Now() is the second realtime read. Random
;; bytes come straight from random_get here (TinyGo's crypto/rand goes through wasi-libc's
;; arc4random_buf instead), printed as hex. Everything is written to STDOUT, one value a line.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; 0: clock result, 16: iovec, 24: nwritten, 32: subscription (48 bytes), 96: event (32),
  ;; 128: nevents, 136: random bytes, 160: hex digits, 256..288: text being printed
  (memory (export "memory") 1)
  (data (i32.const 160) "0123456789abcdef")

  ;; TinyGo's ticks(): clock_time_get(REALTIME)
  (func $ticks (result i64)
    (if (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 0))
      (then (call $proc_exit (i32.const 1))))
    (i64.load (i32.const 0)))

  ;; writes memory[start, 288) and a newline to STDOUT
  (func $write_line (param $start i32)
    (i32.store8 (i32.const 287) (i32.const 10))
    (i32.store (i32.const 16) (local.get $start))
    (i32.store (i32.const 20) (i32.sub (i32.const 288) (local.get $start)))
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))
      (then (call $proc_exit (i32.const 1)))))

  (func $print_decimal (param $value i64)
    (local $at i32)
    (local.set $at (i32.const 287))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $value) (i64.const 0))))
    (call $write_line (local.get $at)))

  (func $print_hex (param $from i32) (param $length i32)
    (local $i i32) (local $at i32) (local $byte i32)
    (local.set $at (i32.sub (i32.const 287) (i32.shl (local.get $length) (i32.const 1))))
    (loop $bytes
      (local.set $byte (i32.load8_u (i32.add (local.get $from) (local.get $i))))
      (i32.store8 (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 160) (i32.shr_u (local.get $byte) (i32.const 4)))))
      (i32.store8 (i32.add (local.get $at) (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 160) (i32.and (local.get $byte) (i32.const 15)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $bytes (i32.lt_u (local.get $i) (local.get $length))))
    (call $write_line (local.get $at)))

  (func (export "_start")
    (local $now i64)
    (drop (call $ticks)) ;; time package init: startNano
    (local.set $now (call $ticks)) ;; t := time.Now()
    (call $print_decimal (i64.rem_u (local.get $now) (i64.const 1000000000))) ;; t.Nanosecond()
    (call $print_decimal (i64.sub (call $ticks) (local.get $now))) ;; time.Since(t)
    ;; time.Sleep(50 * time.Millisecond): one relative clock subscription
    (i64.store (i32.const 32) (i64.const 1)) ;; userdata
    (i32.store8 (i32.const 40) (i32.const 0)) ;; eventtype: clock
    (i32.store (i32.const 48) (i32.const 1)) ;; clock id: monotonic
    (i64.store (i32.const 56) (i64.const 50000000)) ;; timeout (ns)
    (i64.store (i32.const 64) (i64.const 0)) ;; precision
    (i32.store16 (i32.const 72) (i32.const 0)) ;; flags: relative
    (if (call $poll_oneoff (i32.const 32) (i32.const 96) (i32.const 1) (i32.const 128))
      (then (call $proc_exit (i32.const 1))))
    (if (call $random_get (i32.const 136) (i32.const 5))
      (then (call $proc_exit (i32.const 1))))
    (call $print_hex (i32.const 136) (i32.const 5))))
