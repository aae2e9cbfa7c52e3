// Supplies std::ios_base_library_init(), the one GLIBCXX_3.4.32 symbol that TorchSharp's
// libLibTorchSharp.so (built with GCC 13) asks for, on systems whose libstdc++ is older (Debian 12:
// GLIBCXX_3.4.30). GCC 13's <iostream> only names this symbol to force a link dependency on the
// library that runs the iostream initialisers; the older libstdc++ already runs them itself, so an
// empty definition is correct. Built without a version script on purpose: glibc binds a versioned
// reference to an unversioned definition.
namespace std
{
    void ios_base_library_init();
    void ios_base_library_init() {}
}
