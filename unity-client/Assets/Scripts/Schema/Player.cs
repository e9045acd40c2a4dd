// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Kobot.Schema {
	public partial class Player : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public Player() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string name = "";

		[global::Colyseus.Schema.Type(1, "float32")]
		public double x = 0;

		[global::Colyseus.Schema.Type(2, "float32")]
		public double y = 0;

		[global::Colyseus.Schema.Type(3, "float32")]
		public double z = 0;

		[global::Colyseus.Schema.Type(4, "float32")]
		public double rotY = 0;

		[global::Colyseus.Schema.Type(5, "string")]
		public string anim = "idle";
	}
}
