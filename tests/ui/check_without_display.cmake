# The studio started where no display can be reached (an ssh session, a server): --help and
# --version work, and a plain start says what to do and exits 1 instead of Qt's abort (SIGABRT).
# Run as: cmake -DCAPSULE=<path to capsule> -P check_without_display.cmake, with DISPLAY,
# WAYLAND_DISPLAY and QT_QPA_PLATFORM empty.
foreach(variable DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM)
    set(ENV{${variable}} "")
endforeach()
execute_process(COMMAND ${CAPSULE} --version RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Capsule [0-9]")
    message(FATAL_ERROR "capsule --version without a display: exit ${rc}, stdout '${out}', stderr '${err}'")
endif()
execute_process(COMMAND ${CAPSULE} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "--screenshot")
    message(FATAL_ERROR "capsule --help without a display: exit ${rc}, stdout '${out}', stderr '${err}'")
endif()
execute_process(COMMAND ${CAPSULE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "no display to open the studio on" OR NOT err MATCHES "xvfb-run")
    message(FATAL_ERROR "capsule without a display: exit ${rc}, stderr '${err}'")
endif()
message(STATUS "without a display: --version, --help and the plain start behave")
