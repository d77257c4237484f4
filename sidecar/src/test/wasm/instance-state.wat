;; instance-state: prints what earlier calls could have left in the instance outside its linear
;; memory, then leaves traces of its own there. A fresh instance per call prints
;; "global=0 table=empty size=2 segment=P" every time: a mutable global (set to 1 by each call), a
;; table slot (filled) and the table's size (grown by one), and a passive data segment (dropped
;; after use: a call that saw it dropped would trap on memory.init). It also closes STDOUT at the
;; end, so a call that shared the descriptors of an earlier one could print nothing.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))

  ;; 0: iovec, 8: nwritten, 16..54: the line
  (memory (export "memory") 1)
  (global $state (mut i32) (i32.const 0))
  (table $slots 2 funcref)
  (data (i32.const 16) "global=? table=????? size=? segment=?\0a")
  (data $passive "P")

  (func $marker)
  (elem declare func $marker)

  (func (export "_start")
    ;; what is there now
    (i32.store8 (i32.const 23) (i32.add (i32.const 48) (global.get $state)))
    (if (ref.is_null (table.get $slots (i32.const 0)))
      (then
        (i32.store (i32.const 31) (i32.const 0x74706d65)) ;; "empt"
        (i32.store8 (i32.const 35) (i32.const 0x79)))     ;; "y"
      (else
        (i32.store (i32.const 31) (i32.const 0x74746964)) ;; "ditt"
        (i32.store8 (i32.const 35) (i32.const 0x6f))))    ;; "o"
    (i32.store8 (i32.const 42) (i32.add (i32.const 48) (table.size $slots)))
    (memory.init $passive (i32.const 52) (i32.const 0) (i32.const 1))

    ;; traces for the next call
    (global.set $state (i32.const 1))
    (table.set $slots (i32.const 0) (ref.func $marker))
    (drop (table.grow $slots (ref.null func) (i32.const 1)))
    (data.drop $passive)

    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 38))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_close (i32.const 1)))))
