#if canImport(Glibc)
import Glibc
#endif

/// Linux calls the event loop needs that Swift's Glibc module does not
/// import: its umbrella header leaves out `<sys/epoll.h>` and
/// `<sys/eventfd.h>`, and `accept4` is hidden behind `_GNU_SOURCE`. This
/// package has no C target, so each is looked up once in the libc that is
/// already loaded and called through a C function pointer of the exact
/// prototype.
enum LinuxAPI {
    static let epollCreate1: @convention(c) (Int32) -> Int32 = symbol("epoll_create1")
    static let epollCtl: @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = symbol("epoll_ctl")
    static let epollWait: @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32 = symbol("epoll_wait")
    static let eventfd: @convention(c) (UInt32, Int32) -> Int32 = symbol("eventfd")
    static let accept4: @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32 = symbol("accept4")

    // Values from <sys/epoll.h>; stable Linux ABI.
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollCtlAdd: Int32 = 1
    static let epollCtlDel: Int32 = 2
    static let epollCtlMod: Int32 = 3

    private static func symbol<Function>(_ name: String) -> Function {
        guard let process = dlopen(nil, RTLD_NOW), let address = dlsym(process, name) else {
            fatalError("libc does not export \(name); this server needs Linux")
        }
        return unsafeBitCast(address, to: Function.self)
    }
}
