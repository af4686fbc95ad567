#pragma once

// The version of the tapeless headers; CMake's project() version matches.
#define TAPELESS_VERSION_MAJOR 0
#define TAPELESS_VERSION_MINOR 1
#define TAPELESS_VERSION_PATCH 0
