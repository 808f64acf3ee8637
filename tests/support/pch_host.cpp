int main() { return 0; }  // carries the tests precompiled header; never run
