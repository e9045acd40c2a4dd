// Stand-ins for the UnityEngine API used by unity-client (signatures as in Unity 2021 LTS).
using System;
using System.Collections;
using System.Collections.Generic;

namespace UnityEngine
{
    public class Object
    {
        public static T Instantiate<T>(T original, Vector3 position, Quaternion rotation) where T : Object { return original; }
        public static void Destroy(Object obj) { }
    }
    public class Component : Object
    {
        public GameObject gameObject { get { return null; } }
        private Transform t; public Transform transform { get { if (t == null) t = (this as Transform) ?? new Transform(); return t; } }
    }
    public class Behaviour : Component { public bool enabled; }
    public class MonoBehaviour : Behaviour
    {
        public Coroutine StartCoroutine(IEnumerator routine) { StandInFrames.Start(routine); return new Coroutine(); }
    }
    public class YieldInstruction { }
    public sealed class Coroutine : YieldInstruction { }
    public abstract class CustomYieldInstruction : IEnumerator
    {
        public abstract bool keepWaiting { get; }
        public object Current { get { return null; } }
        public bool MoveNext() { return keepWaiting; }
        public virtual void Reset() { }
    }
    public class WaitForSecondsRealtime : CustomYieldInstruction
    {
        private double until = -1;
        public WaitForSecondsRealtime(float time) { waitTime = time; }
        public float waitTime { get; set; }
        // As Unity's: the wait starts when first asked.
        public override bool keepWaiting
        {
            get
            {
                if (until < 0) until = Time.realtimeSinceStartup + waitTime;
                return Time.realtimeSinceStartup < until;
            }
        }
    }

    /// <summary>
    /// Not in Unity: frames for a check in test/unity-checks. They run the coroutines scripts start, on a clock
    /// (Time.realtimeSinceStartup) that only they move, so a wait on Unity's clock ends without real time passing.
    /// </summary>
    public static class StandInFrames
    {
        internal static double now;
        private static readonly List<IEnumerator> running = new List<IEnumerator>();

        internal static void Start(IEnumerator routine)
        {
            if (Step(routine)) running.Add(routine);
        }

        /// <summary>Plays <paramref name="seconds"/> of 20 ms frames.</summary>
        public static void Play(double seconds)
        {
            for (var end = now + seconds; now < end - 1e-9; )
            {
                now = Math.Min(end, now + 0.02);
                foreach (var routine in running.ToArray())
                {
                    if (!Step(routine)) running.Remove(routine);
                }
            }
        }

        /// <summary>Runs a coroutine on unless what it yielded still waits; false once it has ended.</summary>
        private static bool Step(IEnumerator routine)
        {
            var waiting = routine.Current as IEnumerator;
            return (waiting != null && waiting.MoveNext()) || routine.MoveNext();
        }
    }
    public class GameObject : Object
    {
        public bool activeSelf { get { return true; } }
        public void SetActive(bool value) { }
    }
    public class Transform : Component
    {
        public Vector3 position;
        public Quaternion rotation;
        public Vector3 eulerAngles;
        public Vector3 localScale;
        public Transform Find(string n) { return null; }
    }
    public class TextMesh : Component { public string text; }
    public class Animator : Behaviour { public void SetBool(string name, bool value) { } }
    public struct Vector3
    {
        public float x, y, z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
        public float sqrMagnitude { get { return x * x + y * y + z * z; } }
        public Vector3 normalized { get { var m = (float)Math.Sqrt(sqrMagnitude); return m > 0 ? new Vector3(x / m, y / m, z / m) : this; } }
        public static Vector3 Lerp(Vector3 a, Vector3 b, float t) { return new Vector3(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t); }
        public static Vector3 operator +(Vector3 a, Vector3 b) { return new Vector3(a.x + b.x, a.y + b.y, a.z + b.z); }
        public static Vector3 operator -(Vector3 a, Vector3 b) { return new Vector3(a.x - b.x, a.y - b.y, a.z - b.z); }
        public static Vector3 operator *(Vector3 a, float d) { return new Vector3(a.x * d, a.y * d, a.z * d); }
    }
    public struct Quaternion
    {
        public static Quaternion identity { get { return new Quaternion(); } }
        public static Quaternion LookRotation(Vector3 forward) { return identity; }
        public static Quaternion Euler(float x, float y, float z) { return identity; }
        public static Quaternion Slerp(Quaternion a, Quaternion b, float t) { return a; }
    }
    public static class Mathf
    {
        public static float Exp(float power) { return (float)Math.Exp(power); }
        public static float Clamp(float value, float min, float max) { return Math.Max(min, Math.Min(max, value)); }
    }
    public static class Time
    {
        public static float deltaTime { get; set; }
        public static float time { get; set; }
        public static float realtimeSinceStartup { get { return (float)StandInFrames.now; } }
    }
    public enum KeyCode { Return = 13, KeypadEnter = 271, UpArrow = 273, DownArrow = 274 }
    public static class Input
    {
        /// <summary>Set by a check: the keys held.</summary>
        public static float Horizontal, Vertical;
        public static float GetAxisRaw(string axisName) { return axisName == "Horizontal" ? Horizontal : Vertical; }
        /// <summary>Set by a check to hold Enter down.</summary>
        public static bool ReturnHeld;
        public static bool GetKey(KeyCode key) { return ReturnHeld && key == KeyCode.Return; }
        /// <summary>Set by a check: the key pressed in this frame.</summary>
        public static KeyCode? Pressed;
        public static bool GetKeyDown(KeyCode key) { return Pressed == key; }
    }
    public class TouchScreenKeyboard
    {
        public enum Status { Visible, Done, Canceled, LostFocus }
        /// <summary>Set by a check: a phone or tablet.</summary>
        public static bool isSupported;
        public Status status;
    }
    public static class Debug { public static void Log(object message) { } public static void LogError(object message) { } }
    [AttributeUsage(AttributeTargets.Field)] public class HeaderAttribute : Attribute { public HeaderAttribute(string header) { } }
    [AttributeUsage(AttributeTargets.Field)] public class SerializeField : Attribute { }
}

namespace UnityEngine.Scripting
{
    [AttributeUsage(AttributeTargets.All)] public class PreserveAttribute : Attribute { }
}

namespace UnityEngine.Events
{
    public class UnityEvent<T0> { public void AddListener(Action<T0> call) { } }
}

namespace UnityEngine.UI
{
    public class Text : Behaviour { public string text = ""; }
    public class Toggle : Behaviour { public bool isOn; }
    public class Selectable : Behaviour
    {
        private bool isInteractable = true;
        /// <summary>As uGUI's: turned off, it lets go of the selection (an InputField its focus, and the keys typed next).</summary>
        public bool interactable
        {
            get { return isInteractable; }
            set
            {
                isInteractable = value;
                if (!value) Deselected();
            }
        }
        /// <summary>Not in Unity (its OnDeselect): what the selection let go of does.</summary>
        protected virtual void Deselected() { }
    }
    public class Dropdown : Selectable
    {
        public class OptionData { public string text; public OptionData(string text) { this.text = text; } }
        public class DropdownEvent : UnityEngine.Events.UnityEvent<int> { }
        public System.Collections.Generic.List<OptionData> options = new System.Collections.Generic.List<OptionData>();
        public int value;
        public DropdownEvent onValueChanged = new DropdownEvent();
        public void SetValueWithoutNotify(int input) { value = input; }
        public void ClearOptions() { options.Clear(); value = 0; }
        public void AddOptions(System.Collections.Generic.List<OptionData> added) { options.AddRange(added); }
        public void RefreshShownValue() { }
    }
    public class InputField : Selectable
    {
        public class EndEditEvent : UnityEngine.Events.UnityEvent<string> { }
        public string text = "";
        public int characterLimit;
        public EndEditEvent onEndEdit = new EndEditEvent();
        /// <summary>Set by a check: a phone's on-screen keyboard and how it closed.</summary>
        public TouchScreenKeyboard touchScreenKeyboard;
        /// <summary>Not in Unity: set by a check to focus the box.</summary>
        public bool Focused;
        public bool isFocused { get { return Focused; } }
        protected override void Deselected() { Focused = false; }
        public int caretPosition { get; set; }
        public void ActivateInputField() { }
    }
}
