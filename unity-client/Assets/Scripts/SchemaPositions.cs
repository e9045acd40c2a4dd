using Kobot.Schema;
using UnityEngine;

namespace Kobot
{
    /// <summary>State numbers are doubles (schema type "number"); Unity works in floats.</summary>
    public static class SchemaPositions
    {
        public static Vector3 Position(this Player player)
        {
            return new Vector3((float)player.x, (float)player.y, (float)player.z);
        }

        public static Vector3 Position(this Npc npc)
        {
            return new Vector3((float)npc.x, (float)npc.y, (float)npc.z);
        }
    }
}
