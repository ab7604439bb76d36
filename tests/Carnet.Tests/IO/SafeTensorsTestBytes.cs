using System.Buffers.Binary;
using System.Text;

namespace Carnet.Tests.IO;

/// <summary>Builds raw safetensors bytes by hand, for tests that need exact or malformed content.</summary>
internal static class SafeTensorsTestBytes
{
    /// <summary>Length prefix (the real header length) + the header text as UTF-8 + <paramref name="dataLength"/> zero bytes.</summary>
    public static byte[] Build(string headerJson, int dataLength) =>
        Build(Encoding.UTF8.GetBytes(headerJson), new byte[dataLength]);

    /// <summary>Length prefix (the real header length) + the raw header bytes + the data.</summary>
    public static byte[] Build(byte[] header, byte[] data) =>
        WithDeclaredLength((ulong)header.Length, [.. header, .. data]);

    /// <summary>A length prefix declaring <paramref name="declaredHeaderLength"/>, followed by <paramref name="rest"/> as is.</summary>
    public static byte[] WithDeclaredLength(ulong declaredHeaderLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength);
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>The header text of safetensors bytes, without the padding.</summary>
    public static string HeaderText(byte[] bytes)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        return Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' ');
    }
}
