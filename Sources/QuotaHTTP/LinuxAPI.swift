#if canImport(Glibc)
import Glibc
#endif
import CQuotaSystem

/// Linux calls the event loop needs that Swift's Glibc module does not
/// import: its umbrella header leaves out `<sys/epoll.h>` and
/// `<sys/eventfd.h>`, and `accept4` is hidden behind `_GNU_SOURCE`. They
/// come from the package's C target (`CQuotaSystem`, as swift-nio's
/// `CNIOLinux` does it), so the compiler checks every prototype; this enum
/// keeps the event loop's call sites in the raw-pointer shape they had.
enum LinuxAPI {
    static func epollCreate1(_ flags: Int32) -> Int32 { epoll_create1(flags) }

    static func epollCtl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, _ event: UnsafeMutableRawPointer?) -> Int32 {
        epoll_ctl(epoll, operation, fd, event?.assumingMemoryBound(to: epoll_event.self))
    }

    static func epollWait(_ epoll: Int32, _ events: UnsafeMutableRawPointer?, _ capacity: Int32, _ timeoutMilliseconds: Int32) -> Int32 {
        epoll_wait(epoll, events?.assumingMemoryBound(to: epoll_event.self), capacity, timeoutMilliseconds)
    }

    static func eventfd(_ initial: UInt32, _ flags: Int32) -> Int32 { CQuotaSystem.eventfd(initial, flags) }

    static func accept4(_ socket: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?, _ flags: Int32) -> Int32 {
        cqs_accept4(socket, address, length, flags)
    }

    static let epollIn = EPOLLIN.rawValue
    static let epollOut = EPOLLOUT.rawValue
    static let epollErr = EPOLLERR.rawValue
    static let epollHup = EPOLLHUP.rawValue
    static let epollCtlAdd = EPOLL_CTL_ADD
    static let epollCtlDel = EPOLL_CTL_DEL
    static let epollCtlMod = EPOLL_CTL_MOD
}
