using Google.FlatBuffers;

namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>
/// Reads one field of a FlatBuffers table by its schema field number (field N sits at vtable offset 4 + 2N), through
/// Google.FlatBuffers' <see cref="Table"/> accessors: absent fields give the schema's default.
/// </summary>
internal static class FlatBufferFields
{
    public static int Int(Table table, int field, int fallback = 0)
    {
        int offset = table.__offset(4 + (2 * field));
        return offset == 0 ? fallback : table.bb.GetInt(table.bb_pos + offset);
    }

    /// <summary>A byte field (enum or bool), sign-extended as TFLite's byte enums are declared.</summary>
    public static int Byte(Table table, int field, int fallback = 0)
    {
        int offset = table.__offset(4 + (2 * field));
        return offset == 0 ? fallback : (sbyte)table.bb.Get(table.bb_pos + offset);
    }

    public static string? String(Table table, int field)
    {
        int offset = table.__offset(4 + (2 * field));
        return offset == 0 ? null : table.__string(table.bb_pos + offset);
    }

    public static int[] Ints(Table table, int field)
    {
        int offset = table.__offset(4 + (2 * field));
        if (offset == 0)
        {
            return [];
        }

        int start = table.__vector(offset), count = table.__vector_len(offset);
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = table.bb.GetInt(start + (4 * i));
        }

        return values;
    }

    public static Table[] Tables(Table table, int field)
    {
        int offset = table.__offset(4 + (2 * field));
        if (offset == 0)
        {
            return [];
        }

        int start = table.__vector(offset), count = table.__vector_len(offset);
        var tables = new Table[count];
        for (int i = 0; i < count; i++)
        {
            tables[i] = new Table(table.__indirect(start + (4 * i)), table.bb);
        }

        return tables;
    }
}
