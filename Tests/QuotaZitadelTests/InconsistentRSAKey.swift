/// A PKCS#1 key whose p is the product of two primes (made once with
/// openssl primes and Python): n = p·q and every relation between d, dP,
/// dQ and qInv holds, so only a trial signature shows it cannot sign. Test
/// data, never used for anything else.
enum InconsistentRSAKey {
    static let compositePrimePEM = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIE6QIBAAKCAQcIrN819YwM0rs7/sN3Auc8OwGnMB27lsAXQ7Ot4qHCIv5oE9Zv
        bXszIoeZd6E5t15L2/3doxmlkJHiZTc/MPyXmsBZUffJzOdKJSBx09CO9ul02A9W
        rzpZ7uD9n20ZnOY1K23sa6GK0WZKQPbhCS3D/rRMut9HIgyTct20XIwIvUfUpHDH
        hXw+SYWcNG/o655LN5e9XIWe4Tb0HZXUTCVoYubFoaL0B9QvX3NJCt/3iQh4iSIE
        fr99uGQ+Jvf7T4MeBJhpZWKeAn9N6nnfxNGCPEZJ/mtIk9en/4kELWZiXKe2G0Cn
        6NPbrqVf1rTd0GObZd0aI2CP+/ROEUywQo+WEdyzoBtymwIDAQABAoIBBwJ8YvPH
        2mtcQVnGPYWPV+p68BTT5Vk5L+8ar9SecgK621LAiHxij2COPvP7g0ASKtuq/Npz
        X6iBPkR1A3lAlMjuh7qwkcQKSqaE8ACeFQ+6chhQx0hsKtilA+nhniEorgnX+htM
        nZ3blGAIW+bU346bl93453z1YXiYZXoK2vgvmpIy9MaB1iHhHjHX0C+dVyHDStmq
        jZfu8r09kH5YZXhXfUOQctdaHag3xKreZzWHcCZDNUuwOiquNJ5em1NWajTIs9Yz
        ePVegqM613l7G1ztqwygt8Hgt8vakGQynP5oUQg96xtjiY+QPZVVf/5kLb4C1STF
        vnMPnvC1kSYzCJEzkGLXpENdAoGwAKjn1dgwbzQKQ4KbIUEs+DRQ8OTAm6AXkrot
        WZhC6IsK+Xwz8NB8bNEeSIiQTbnPNfmjV4N+sBM3Mcf1rXYNCjrzdaRAYQjXWSx3
        x8vEZR1ORkTEeZdrJjLJsuPGPvizl8qS4emaCcvpUxJI3a1UTQv20VKQE5RgbxIc
        wzl8/PU72ngAR3By+iOH7V3eZF7GvZxAklOfY3ae3olEupCZ/mTVKjFM9VYmKRuL
        KD2YX+0CWA0mCoQjBEHa3ZMJ/HPDKTJxVmGq/yENqEMVOc+jPA0mn7PDRQaeHj8E
        +os33M6Z+06U4ZkjgxbSVB5AYlnEm7ZcfD0dGUg0yr9zmUsLlhZvbyC7ospWe6cC
        ga85PlEwMsINbgkRQ4gSsa3w9RmfPVPA/xxAMsxxmQN81BxXprbPwcuTV+MXPWjK
        N1rAn0Yyj4YXDRa3ASFnp+W2svpEz3jTaUCUnIe/HHF0bCnOdpQK6EqK3ebd4TtI
        SH2CLyOXaxg03n/D66QNcUunaV/pzmCEYeZiyhKz8hM8/ar+DoInrx/tWMzuikeU
        A2ERiqTM6HDqK8+Z0Aw2o6oe/EuPZ9ih+M7nwdLChVjFAlgDF0Q1l72ydW7M1/Ye
        iGwwzW/O+dGLxZgeXOkAJJFDTicQrQCW86iMi/ERtQoVDyGCcYEu7KguPzdC/UOh
        cpRgJBGYlDSTQsW+h8ArYgfgMkXfXfyAsB/VAoGvAYlLSsMUHjMPZncuy4wnjKEP
        DfLV96K5vlLo8tr+XnBCR1fZ1JFjPcoW509ei9Cs1wvcN9uDpA04sUB0p4dPP6XI
        wJ0gHQgvyqWDkwllHlj/GSXzNBewzF3NXH+y9TTFDohAwbCTQ3mTtGJtBldNg6ac
        lVGWzQ5TgrEucZsVbbb1r1klo2KYvdNMaGSCDEy/0uwFv/hrOKF3z9p+GanjkKl6
        zIwbhdyAlf3b9wIRIw==
        -----END RSA PRIVATE KEY-----
        """
}
