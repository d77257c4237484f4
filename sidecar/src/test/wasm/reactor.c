// reactor: a WASI "reactor" module (exports _initialize, no _start). The validator must refuse
// it as a binding, which needs a command module.
__attribute__((export_name("add"))) int add(int a, int b) {
    return a + b;
}
