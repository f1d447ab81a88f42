# One-line test registration.
#
#   capsule_add_test(test_name source.cpp [more.cpp] LABELS unit [slow] [LIBS capsule_io ...])
#       A core test: plain C++ on the Qt-free harness in tests/support/capsule_test.h, so it builds
#       with -DCAPSULE_BUILD_GUI=OFF on machines without Qt (GPU servers).
#   capsule_add_qt_test(test_name source.cpp LABELS gui [LIBS extra_targets])
#       A Qt Test executable (QTEST_MAIN); runs under the offscreen platform.
#
# Every test gets CAPSULE_TEST_FIXTURES (tests/fixtures) and CAPSULE_SOURCE_DIR as compile definitions
# and a private scratch HOME / XDG folders so it never touches the user's real data.
set(CAPSULE_TEST_FIXTURES_DIR ${CMAKE_SOURCE_DIR}/tests/fixtures)
# Qt tests run on the offscreen platform with one 1920x1200 screen, a workstation's, instead of its
# default 800x800: from Qt 6.11 on, restoreGeometry() shrinks a window to the screen it lands on.
set(CAPSULE_TEST_QPA_PLATFORM "offscreen:configfile=${CMAKE_SOURCE_DIR}/tests/support/offscreen_screen.json")

function(_capsule_test_common name)
    cmake_parse_arguments(T "" "TIMEOUT" "LABELS;LIBS" ${ARGN})
    target_compile_definitions(${name} PRIVATE
        CAPSULE_TEST_FIXTURES="${CAPSULE_TEST_FIXTURES_DIR}"
        CAPSULE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
        CAPSULE_BINARY_DIR="${CMAKE_BINARY_DIR}")
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
    if(T_LIBS)
        target_link_libraries(${name} PRIVATE ${T_LIBS})
    endif()
    capsule_set_warnings(${name})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 600)
    endif()
    set(scratch ${CMAKE_BINARY_DIR}/test-home/${name})
    set_tests_properties(${name} PROPERTIES
        LABELS "${T_LABELS}"
        TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "HOME=${scratch};XDG_DATA_HOME=${scratch}/data;XDG_CONFIG_HOME=${scratch}/config;XDG_CACHE_HOME=${scratch}/cache;HF_HOME=${scratch}/hf;QT_QPA_PLATFORM=${CAPSULE_TEST_QPA_PLATFORM};OMP_NUM_THREADS=2")
    file(MAKE_DIRECTORY ${scratch})
endfunction()

function(capsule_add_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "LABELS;LIBS" ${ARGN})
    add_executable(${name} ${T_UNPARSED_ARGUMENTS})
    # Link only the components the test names in LIBS (default: runtime), so a test of one concern
    # builds while another concern is mid-change.
    target_link_libraries(${name} PRIVATE capsule_runtime capsule_test_harness)
    target_precompile_headers(${name} REUSE_FROM capsule_pch)
    _capsule_test_common(${name} ${ARGN})
endfunction()

function(capsule_add_qt_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "LABELS;LIBS" ${ARGN})
    add_executable(${name} ${T_UNPARSED_ARGUMENTS})
    target_link_libraries(${name} PRIVATE Qt6::Test)
    _capsule_test_common(${name} ${ARGN})
endfunction()
