#!/usr/bin/env python3
"""Asks the top-level X11 window titled "Tessera" to close, as a window manager's close button does
(a WM_DELETE_WINDOW client message), so the end-to-end test closes the app the way a designer does.
WebDriver's own "close window" tears the web view down without the app seeing a close request.

Uses libX11 through ctypes; nothing to install beyond what WebKitGTK already pulls in."""
import ctypes
import ctypes.util
import sys

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", Window),
        ("message_type", Atom),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XQueryTree.argtypes = [
    ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
    ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint),
]
x11.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]


def main() -> int:
    title = sys.argv[1].encode() if len(sys.argv) > 1 else b"Tessera"
    dpy = x11.XOpenDisplay(None)
    if not dpy:
        print("close_window: cannot open the X display", file=sys.stderr)
        return 2
    root = x11.XDefaultRootWindow(dpy)
    root_ret, parent_ret = Window(), Window()
    children = ctypes.POINTER(Window)()
    count = ctypes.c_uint()
    x11.XQueryTree(dpy, root, ctypes.byref(root_ret), ctypes.byref(parent_ret), ctypes.byref(children), ctypes.byref(count))
    protocols = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    delete = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    sent = 0
    for i in range(count.value):
        win = children[i]
        name = ctypes.c_char_p()
        if x11.XFetchName(dpy, win, ctypes.byref(name)) and name.value == title:
            ev = XEvent()
            ev.xclient.type = 33  # ClientMessage
            ev.xclient.window = win
            ev.xclient.message_type = protocols
            ev.xclient.format = 32
            ev.xclient.data[0] = delete
            ev.xclient.data[1] = 0  # CurrentTime
            x11.XSendEvent(dpy, win, 0, 0, ctypes.byref(ev))
            sent += 1
    x11.XFlush(dpy)
    x11.XCloseDisplay(dpy)
    if sent == 0:
        print(f"close_window: no window titled {title.decode()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
