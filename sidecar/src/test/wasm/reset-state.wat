;; reset-state: a module whose instances the sidecar resets and reuses (no table or segment
;; instructions). It prints what earlier calls could have left in its instance, then leaves traces
;; of its own there. A fresh (or properly reset) instance prints
;; "started=1 calls=0 data=D bss=0" every time: the start function's count of its runs (a reset
;; runs it again on a new global), a mutable global (set to 1 by each call), a byte of a data
;; segment and a byte outside any segment (both overwritten by each call). It closes STDOUT at the
;; end, so a call that shared the descriptors of an earlier one could print nothing.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))

  ;; 0: iovec, 8: nwritten, 16..46: the line, 100: data byte, 200: bss byte
  (memory (export "memory") 1)
  (global $started (mut i32) (i32.const 0))
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 16) "started=? calls=? data=? bss=?\0a")
  (data (i32.const 100) "D")

  (func $start
    (global.set $started (i32.add (global.get $started) (i32.const 1))))
  (start $start)

  (func (export "_start")
    ;; what is there now
    (i32.store8 (i32.const 24) (i32.add (i32.const 48) (global.get $started)))
    (i32.store8 (i32.const 32) (i32.add (i32.const 48) (global.get $calls)))
    (i32.store8 (i32.const 39) (i32.load8_u (i32.const 100)))
    (i32.store8 (i32.const 45) (i32.add (i32.const 48) (i32.load8_u (i32.const 200))))

    ;; traces for the next call
    (global.set $calls (i32.const 1))
    (i32.store8 (i32.const 100) (i32.const 0x58)) ;; "X"
    (i32.store8 (i32.const 200) (i32.const 7))

    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 31))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_close (i32.const 1)))))
