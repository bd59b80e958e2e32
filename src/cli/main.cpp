// Placeholder entry until the CLI commands land (replaced by src/cli/commands).
#include <cstdio>
int main() { std::puts("fpaudit"); return 0; }
