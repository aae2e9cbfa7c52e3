// MSBuild inline task (RoslynCodeTaskFactory). Marks the symbol-version requirements of an ELF
// shared library as weak (VER_FLG_WEAK) when the system library that should provide them lacks
// them, so the dynamic loader no longer refuses to load it. Used for TorchSharp's
// libLibTorchSharp.so, which requires GLIBCXX_3.4.32 only for std::ios_base_library_init().
// Only the copy in the build output is patched, never the NuGet cache.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class ElfVersionNeedPatcher : Task
{
    [Required] public string LibraryPath { get; set; }
    [Required] public string ProviderSoName { get; set; }
    [Required] public string ProviderPath { get; set; }
    [Output] public string PatchedVersions { get; set; }
    /// <summary>Required versions the provider lacks, patched now or in an earlier build.</summary>
    [Output] public string MissingVersions { get; set; }

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        PatchedVersions = "";
        MissingVersions = "";
        if (!File.Exists(LibraryPath) || !File.Exists(ProviderPath))
        {
            Log.LogMessage(MessageImportance.Low, "Nothing to patch: " + LibraryPath + " or " + ProviderPath + " missing.");
            return true;
        }
        string provider = Encoding.ASCII.GetString(File.ReadAllBytes(ProviderPath));
        byte[] elf = File.ReadAllBytes(LibraryPath);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogWarning(LibraryPath + " is not a 64-bit little-endian ELF file; not patched.");
            return true;
        }
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        ushort shentsize = BitConverter.ToUInt16(elf, 0x3A);
        ushort shnum = BitConverter.ToUInt16(elf, 0x3C);
        var patched = new List<string>();
        var missing = new List<string>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = (long)shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)((long)shoff + (long)link * shentsize) + 0x18);
            long vn = offset;
            while (true)
            {
                ushort count = BitConverter.ToUInt16(elf, (int)vn + 2);
                string file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < count; a++)
                {
                    string version = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    // The provider's version names are stored as plain strings in its .dynstr.
                    bool absent = file == ProviderSoName && provider.IndexOf(version + "\0", StringComparison.Ordinal) < 0;
                    if (absent) missing.Add(version);
                    if (absent && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        patched.Add(version);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint nextVn = BitConverter.ToUInt32(elf, (int)vn + 12);
                if (nextVn == 0) break;
                vn += nextVn;
            }
        }
        MissingVersions = string.Join(";", missing);
        if (patched.Count > 0)
        {
            // Written whole first so a failed write never leaves a torn library in place.
            string tmp = LibraryPath + ".patching";
            File.WriteAllBytes(tmp, elf);
            File.Copy(tmp, LibraryPath, true);
            File.Delete(tmp);
            PatchedVersions = string.Join(";", patched);
            Log.LogMessage(MessageImportance.High, "Marked " + PatchedVersions + " weak in " + LibraryPath
                + " (" + ProviderPath + " lacks them).");
        }
        return true;
    }

    private static string ReadString(byte[] data, long at)
    {
        int end = (int)at;
        while (data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)at, end - (int)at);
    }
}
